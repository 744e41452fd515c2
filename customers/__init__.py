"""The customers service: one `customers` blueprint (the API and the HTML pages as its
children), the one schema, the one write service. `app.py` wires it all together."""
