from lxml import etree

# BEGIN PROMPT
def get_account_role(accounts: etree._Element, username: str, token: str) -> str | None:
    """`accounts` is the parsed accounts.xml of our build server:
    <accounts><account name="..." token="..." role="..."/>...</accounts>.
    Return the role of the account with this user name and API token, or None if
    no account matches.
    """
    # BEGIN SOLUTION
    roles = accounts.xpath(f"//account[@name='{username}' and @token='{token}']/@role")
    return str(roles[0]) if roles else None
