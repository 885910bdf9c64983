import ast
import operator
# BEGIN PROMPT
def calculate(expression: str) -> float:
    """Evaluate the arithmetic expression a user typed into the calculator widget,
    e.g. "2 + 3 * (4 - 1) / 2" or "-2 ** 3". Supports int and float numbers, the
    operators + - * / // % ** (binary), unary + and -, and parentheses, with
    Python's precedence rules. Raise ValueError if the expression is invalid."""
    # BEGIN SOLUTION
    operators = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.FloorDiv: operator.floordiv,
        ast.Mod: operator.mod,
        ast.Pow: operator.pow,
        ast.UAdd: operator.pos,
        ast.USub: operator.neg,
    }

    def evaluate(node):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in operators:
            return operators[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in operators:
            return operators[type(node.op)](evaluate(node.operand))
        raise ValueError(f"unsupported syntax in expression: {expression!r}")

    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return evaluate(tree.body)
    except Exception as exc:
        raise ValueError(f"invalid expression: {expression!r}") from exc
