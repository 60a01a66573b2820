"""Local fakes of the outside services the app talks to, checked against their published descriptions."""
