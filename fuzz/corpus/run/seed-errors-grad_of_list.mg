xs = [1, 2]
grad xs
