k = 3
print f"step {k"
