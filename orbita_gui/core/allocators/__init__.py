"""The allocators of the family, one module each; `core.registry` names them."""
