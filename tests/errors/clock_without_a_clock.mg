t0 = clock()
