# grad prints every gradient; the student copies nothing, autograd sets them all.
grad L
