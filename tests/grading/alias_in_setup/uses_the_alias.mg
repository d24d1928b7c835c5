fn df(x) = slope(f, x)
