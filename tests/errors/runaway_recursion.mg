fn countdown(n) = countdown(n - 1)
countdown(3)
