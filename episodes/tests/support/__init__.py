"""Helpers the tests share: factories, site repositories, browser sessions, fuzzing, fakes."""
