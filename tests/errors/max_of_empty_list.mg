xs = []
print max(xs)
