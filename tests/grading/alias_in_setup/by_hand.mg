fn df(x) = 6*x - 4
