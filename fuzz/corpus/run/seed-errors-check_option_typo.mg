a = 1
check a ep=1e-4
