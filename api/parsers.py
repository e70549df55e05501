"""The API's JSON parser: refuses what no column can store, as a 400.

JSON's ``\\u0000`` and a lone ``\\ud800`` parse into Python strings that
PostgreSQL or the UTF-8 codec then refuse (a 500); see core.input_characters.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from core.input_characters import has_unstorable, unstorable_message


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_unstorable(data):
            raise ParseError(unstorable_message())
        return data
