seed 1
w = uniform(2, 1)
