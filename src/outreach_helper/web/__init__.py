"""The web layer: routes, the fast path, headers, problems, docs and the gadget."""
