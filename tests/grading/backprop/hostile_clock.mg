# A graded run has no clock, so no result can depend on time.
L.grad = 1
t = clock()
d.grad = -2
