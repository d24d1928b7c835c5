a = 1
a.label = 5
