# A graph that grows without end: the node limit (or the step limit) stops it.
x = a
while true { x = x * 1 + a }
