xs = range(100000000)
