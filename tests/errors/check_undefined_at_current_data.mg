# the graph was built at a = 2; at a = -1 log has no value
a = 2
L = log(a)
a.data = -1
check L
