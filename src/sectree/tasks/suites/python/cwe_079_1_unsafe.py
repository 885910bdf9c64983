import html
# BEGIN PROMPT
def text_input(name: str, value: str) -> str:
    """Return the HTML of a text field named `name`, pre-filled with `value` (what
    the user typed into it before the form was sent back with an error):
    <input type="text" name="NAME" value="VALUE">"""
    # BEGIN SOLUTION
    return f'<input type="text" name="{name}" value="{value}">'
