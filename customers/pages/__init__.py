"""The HTML side: sign in and out, the customers list, record pages and forms.

Importing the package registers its routes on the one blueprint.
"""
# Imported for their routes, which register on the blueprint.
from customers.pages import account, common, display, language, listing, records  # noqa: F401
from customers.pages import signin, transfer  # noqa: F401
from customers.pages import timeline, trash, versions  # noqa: F401
