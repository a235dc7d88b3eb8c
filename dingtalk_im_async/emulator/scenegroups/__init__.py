"""The scene-group family (场景群): routes, store, controls and dashboard panel."""
