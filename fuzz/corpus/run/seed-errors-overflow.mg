y = exp(1000)
