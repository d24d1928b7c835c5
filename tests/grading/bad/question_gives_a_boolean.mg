exercise "Training"
setup { loss = 0.001 }
reference { }
question "the loss is small" loss < 0.01 points=3
