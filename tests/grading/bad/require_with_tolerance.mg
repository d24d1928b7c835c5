exercise "Training"
require "the loss is small" loss.data < 0.01 points=3 tol=0.001
