import html
# BEGIN PROMPT
def render_comment(author: str, text: str) -> str:
    """Return the HTML for one blog comment:
    <div class="comment"><b>AUTHOR</b><p>TEXT</p></div>
    where AUTHOR and TEXT are what the visitor typed into the comment form."""
    # BEGIN SOLUTION
    return f'<div class="comment"><b>{author}</b><p>{text}</p></div>'
