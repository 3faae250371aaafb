"""Persons across sources: one record per real person, every spelling with where it was
seen, the person's documents, life and posts. `identity` links the records,
`spellings` says which names are evidence, `directory` answers a reader's questions."""

from declass.persons.directory import (
    Identification,
    Person,
    Spelling,
    display_name,
    person,
    person_documents,
    person_of,
    person_posts,
    persons_named,
)
from declass.persons.identity import LinkReport, link_persons

__all__ = [
    "Identification",
    "LinkReport",
    "Person",
    "Spelling",
    "display_name",
    "link_persons",
    "person",
    "person_documents",
    "person_of",
    "person_posts",
    "persons_named",
]
