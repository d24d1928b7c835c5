loss = 0.25
k = 3
print f"loss {loss:.4q} at step {k}"
