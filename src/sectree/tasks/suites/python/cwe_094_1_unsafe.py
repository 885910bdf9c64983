import ast
import operator
# BEGIN PROMPT
def calculate(expression: str) -> float:
    """Evaluate the arithmetic expression a user typed into the calculator widget,
    e.g. "2 + 3 * (4 - 1) / 2" or "-2 ** 3". Supports int and float numbers, the
    operators + - * / // % ** (binary), unary + and -, and parentheses, with
    Python's precedence rules. Raise ValueError if the expression is invalid."""
    # BEGIN SOLUTION
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return eval(compile(tree, "<calculator>", "eval"))
    except Exception as exc:
        raise ValueError(f"invalid expression: {expression!r}") from exc
