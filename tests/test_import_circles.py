"""No import circle among LabelTune's own modules (finetune/, lib/, webapp/, bench/).

Read statically with `ast`: every import counts, at module level or inside a function (an
import deferred into a function only hides a circle, it does not open it). Imports under
`if TYPE_CHECKING:` never run and are left out. `from package import name` points at the
module `package.name` when there is one, else at the package itself. The floors too:
finetune/ imports nothing of lib/ or webapp/, lib/ nothing of webapp/ (bench/ may use all).

    python -m tests.test_import_circles      # lists the circles it finds, with the lines
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("finetune", "lib", "webapp", "bench")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(tree: ast.AST):
    """Every Import/ImportFrom node, skipping the bodies of `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported(node, name: str, path: Path, modules) -> list[str]:
    """The modules of ours that an import node in module `name` (file `path`) loads."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the module's package upwards
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        targets = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
            for alias in node.names
        ]
    found = []
    for target in targets:
        while target and target not in modules:  # `import a.b.c` of a name in a.b
            target = target.rpartition(".")[0]
        if target and target != name:
            found.append(target)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """{module: {module it imports: first line}} for our modules."""
    modules = our_modules()
    graph = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, {})
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in import_nodes(tree):
            for target in imported(node, name, path, modules):
                edges[target] = min(edges.get(target, node.lineno), node.lineno)
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(start):
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(groups)


def shortest_loop(graph, group: list[str]) -> list[str]:
    """One loop through the group's first module, as short as possible: [a, b, ..., a]."""
    start, members = group[0], set(group)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for child in sorted(graph[path[-1]]):
            if child == start:
                return path + [start]
            if child in members and child not in seen:
                seen.add(child)
                paths.append(path + [child])
    return group


def describe(graph, group: list[str]) -> str:
    loop = shortest_loop(graph, group)
    steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(loop, loop[1:], strict=False)]
    return f"{len(group)} modules: {', '.join(group)}\n    e.g. " + "\n         ".join(steps)


# Each floor imports only the floors below it (bench/ may import them all).
BELOW = {
    "finetune": {"finetune"},
    "lib": {"finetune", "lib"},
    "webapp": {"finetune", "lib", "webapp"},
}


def floor_breaches(graph: dict[str, dict[str, int]]) -> list[str]:
    """ "lib.x (line 3) imports webapp.y" for each import of a floor above the importer's."""
    found = []
    for module, edges in sorted(graph.items()):
        allowed = BELOW.get(module.split(".")[0])
        for target, line in sorted(edges.items()):
            if allowed is not None and target.split(".")[0] not in allowed:
                found.append(f"{module} (line {line}) imports {target}")
    return found


def test_no_import_circle():
    graph = import_graph()
    found = circles(graph)
    assert not found, "Import circles:\n" + "\n".join(describe(graph, g) for g in found)


def test_each_floor_imports_only_the_floors_below():
    assert not floor_breaches(import_graph())


def test_the_check_finds_a_circle():
    """The detector itself: a two-module circle, a deferred one and a TYPE_CHECKING one."""
    graph = {"a": {"b": 1}, "b": {"a": 3}, "c": {"a": 1}}
    assert circles(graph) == [["a", "b"]]
    assert shortest_loop(graph, ["a", "b"]) == ["a", "b", "a"]
    source = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import webapp.urls\n"
        "def f():\n    from finetune import data\n"
    )
    nodes = list(import_nodes(ast.parse(source)))
    modules = our_modules()
    path = ROOT / "finetune" / "x.py"
    targets = [t for node in nodes for t in imported(node, "finetune.x", path, modules)]
    assert targets == ["finetune.data"]
    assert floor_breaches({"lib.x": {"webapp.y": 3}, "webapp.y": {"lib.x": 1}}) == [
        "lib.x (line 3) imports webapp.y"
    ]


if __name__ == "__main__":
    graph = import_graph()
    found = circles(graph)
    for group in found:
        print(describe(graph, group))
    breaches = floor_breaches(graph)
    print("\n".join(breaches))
    print(f"{len(found)} circle(s), {len(breaches)} floor breach(es) among {len(graph)} modules")
    sys.exit(1 if found or breaches else 0)
