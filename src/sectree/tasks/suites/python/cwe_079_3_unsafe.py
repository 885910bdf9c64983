import json
# BEGIN PROMPT
def initial_state_script(state: dict) -> str:
    """Return the <script> element that hands the page's initial state to our front-end
    code: <script>window.__INITIAL_STATE__ = {...};</script>, where {...} is `state`
    written as JSON. `state` holds user data such as profile fields and recent comments."""
    # BEGIN SOLUTION
    data = json.dumps(state)
    return f"<script>window.__INITIAL_STATE__ = {data};</script>"
