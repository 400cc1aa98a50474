"""PyYAML's C loader and dumper, tuned for front matter: quick tag resolution, plain maps and lists, file-order sets.

The loader refuses data nested deeper than :data:`MAX_DEPTH` and lists repeated keys; the dumper writes
exactly what ``CSafeDumper`` writes for data without shared references.
"""

from __future__ import annotations

import yaml

_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_INT, _SET = "tag:yaml.org,2002:int", "tag:yaml.org,2002:set"
_SCALAR_NODE, _SEQUENCE_NODE = yaml.ScalarNode, yaml.SequenceNode


class _QuickResolver:
    """Resolve scalar tags as Resolver.resolve does, without its regular expressions where possible.

    Resolver.resolve tries the expressions registered for a plain scalar's first character; the C parser
    and emitter call it once or twice per scalar. Quoted scalars and plain ones whose first character
    starts no implicit type are strings, digits alone (not led by 0, which YAML 1.1 reads as octal) are
    an int, and the answer for any other short plain scalar is remembered: keys like ``time`` recur
    thousands of times.
    """

    def resolve(self, kind, value, implicit):
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is not _SCALAR_NODE:
            return _SEQ if kind is _SEQUENCE_NODE else _MAP
        if not implicit[0] or value[:1] not in _RESOLVER_STARTS:
            return _STR
        if value.isdigit() and value.isascii() and value[0] != "0":
            return _INT
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(value) <= _RESOLVED_LENGTH and len(_RESOLVED) < _RESOLVED_MAX:
                _RESOLVED[value] = tag
        return tag


_RESOLVER_STARTS = frozenset(yaml.resolver.Resolver.yaml_implicit_resolvers)
assert None not in _RESOLVER_STARTS  # a wildcard resolver would apply to every scalar
# Tags of plain scalars already resolved; the same for every loader and dumper, as neither adds resolvers.
_RESOLVED: dict[str, str] = {}
_RESOLVED_MAX, _RESOLVED_LENGTH = 20_000, 40  # keys and short values recur; lines of text do not


class Loader(_QuickResolver, yaml.CSafeLoader):
    """PyYAML's C safe loader, building plain maps, lists and strings without the generic machinery.

    SafeConstructor builds every collection through generators that exist to support aliases, which this
    format refuses; building maps, lists and strings directly makes a transcript load about a third faster.
    A !!set becomes a :class:`FileOrderSet`. Everything else (numbers, dates, merge keys, !!omap, ...) goes
    through SafeConstructor as before, so the data is the same as ``yaml.load(text, Loader=yaml.CSafeLoader)``
    gives. Where PyYAML silently keeps the last value of a repeated key, this loader also lists the key in
    ``repeated_keys``.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.repeated_keys = []  # (key, mark) of each key met again in its mapping

    def construct_document(self, node):
        return self._build(node, 1)

    def _build(self, node, level):
        """Build ``node``, a collection at nesting ``level`` (the front matter itself is level 1)."""
        tag = node.tag
        kind = type(node)
        if kind is yaml.ScalarNode:
            if tag == _STR:
                return node.value
            value = node.value
            if tag == _INT and len(value) <= 18 and value.isdigit() and value.isascii() and value[0] != "0":
                return int(value)  # what construct_yaml_int gives digits not led by 0
            return self._construct(node, level)
        if level > MAX_DEPTH:
            raise _too_deep(node)
        if tag == _MAP and kind is yaml.MappingNode:
            data = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    return self._construct(node, level)
                key = self._build(key_node, level + 1)
                try:
                    repeated = key in data
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    ) from None
                if repeated:
                    # A repeated key (or 1 after true: equal in Python) replaces the value before, keeping its
                    # place, as PyYAML and Jekyll read it; the caller is told, to warn the editor.
                    self.repeated_keys.append((key, key_node.start_mark))
                data[key] = self._build(value_node, level + 1)
            return data
        if tag == _SEQ and kind is yaml.SequenceNode:
            return [self._build(child, level + 1) for child in node.value]
        if tag == _SET and kind is yaml.MappingNode and all(key.tag != _MERGE for key, _ in node.value):
            # As SafeConstructor builds a !!set (the values, null as a rule, are read and dropped), but in
            # the file's order.
            members = []
            for key_node, value_node in node.value:
                member = self._build(key_node, level + 1)
                self._build(value_node, level + 1)
                try:
                    hash(member)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                    ) from None
                members.append(member)
            return FileOrderSet(members)
        return self._construct(node, level)

    def _construct(self, node, level):
        """Build a node with SafeConstructor; a value it cannot build is a YAML error at the node's line."""
        try:
            data = self.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # SafeConstructor raises these for tagged values it cannot read: "!!bool x" a KeyError,
            # "!!timestamp x" an AttributeError, the date 2023-02-30 a ValueError.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            value = repr(node.value[:40]) if isinstance(node.value, str) else "this value"
            why = f": {exc}" if isinstance(exc, ValueError | OverflowError) else ""
            problem = f"cannot read {value} as {tag}{why}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None
        # Merge keys, !!set, !!omap, ...: SafeConstructor built the whole value, so measure it afterwards.
        if type(node) is not yaml.ScalarNode and level - 1 + _depth(data) > MAX_DEPTH:
            raise _too_deep(node)
        return data


# Real front matter nests three or four levels; deeper data would take Python's recursion limit near
# when it is written back (the dumper recurses), so it is refused when read.
MAX_DEPTH = 50


def _too_deep(node) -> yaml.YAMLError:
    problem = f"values nested more than {MAX_DEPTH} levels deep are not allowed"
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _depth(data) -> int:
    """Return how many levels of collections ``data`` nests (0 for a scalar, 1 for a flat list)."""
    deepest, stack = 0, [(data, 1)]
    while stack:  # a loop, not recursion: the point is to stay clear of the recursion limit
        value, level = stack.pop()
        if isinstance(value, dict):
            stack += [(item, level + 1) for pair in value.items() for item in pair]
        elif isinstance(value, list | tuple | set):
            stack += [(item, level + 1) for item in value]
        else:
            continue
        deepest = max(deepest, level)
    return deepest


class FileOrderSet(set):
    """A YAML !!set that goes through its members in the order the file lists them.

    A plain set of strings goes through them in an order that changes with each process's hash seed, so
    writing it back would change the file from run to run; this one is written back as it was read.
    """

    def __init__(self, members=()):
        order = dict.fromkeys(members)  # the first of equal members, as set() keeps
        super().__init__(order)
        self._order = list(order)

    def __iter__(self):
        members = [member for member in self._order if member in self]
        if len(members) < len(self):  # members added since: after the file's, in the set's order
            listed = set(members)
            members += [member for member in super().__iter__() if member not in listed]
        return iter(members)


class Dumper(_QuickResolver, yaml.CSafeDumper):
    """PyYAML's C safe dumper, representing plain maps, lists and strings directly.

    Writes exactly what CSafeDumper writes with ``default_flow_style=False`` and ``sort_keys=False`` for
    data without shared references (data loaded without aliases has none).
    """

    def represent(self, data):
        self.serialize(self._node(data))
        self.represented_objects = {}
        self.object_keeper = []
        self.alias_key = None

    def _node(self, data):
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict:
            pairs = [(self._node(k), self._node(v)) for k, v in data.items()]
            return yaml.MappingNode(_MAP, pairs, flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self._node(item) for item in data], flow_style=False)
        return self.represent_data(data)


Dumper.add_representer(FileOrderSet, yaml.representer.SafeRepresenter.represent_set)
