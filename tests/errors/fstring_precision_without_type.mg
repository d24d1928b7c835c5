loss = 0.25
print f"loss {loss:.4}"
