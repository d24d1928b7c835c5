# Every operation, checked against finite differences.
x = 0.7; y = 1.3
check x + y
check x - y
check x * y
check x / y
check x ** y
check y ** x
check pow(x, 3)
check -x
check tanh(x * y)
check exp(x) * sigmoid(y)
check log(y) + sqrt(x)
check sin(x) * cos(y)
check relu(x - y) + relu(y - x)
check abs(x - y)
check max(x, y) + min(x, y)
check x ^ 2 - 3 * x * y + 1 / y
