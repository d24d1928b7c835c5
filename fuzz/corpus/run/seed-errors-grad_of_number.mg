grad 3
