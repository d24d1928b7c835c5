# Two right, then a loop that never ends: the step limit stops it.
L.grad = 1
d.grad = -2
while true { }
