"""The model and the stores: everything else reaches data through :class:`graph.store.Store`."""
