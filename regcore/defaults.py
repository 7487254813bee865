"""The one set of default run settings: the notebook's network and training, and how often to record.

Everything that needs a default — `RunConfig`, `Training`, the CLI's options, the window's panels,
`regcore.course` and sweeps — reads it from here, so they cannot drift apart.

The cost is recorded every 100 iterations (the notebook kept every 1,000th): the live curves then
have 300 points over a 30,000-iteration run, Step advances a visible but short stretch, and later
views (replay, early stopping) get a useful granularity. A record is one cost evaluation on the
training and test points, about 1% of the time of the 100 iterations between records.
"""

HIDDEN: tuple[int, ...] = (20, 3)   # the notebook's 2-20-3-1 network
LEARNING_RATE = 0.3
ITERATIONS = 30000
SEED = 3                            # the notebook's initialisation seed
OPTIMIZER = "gd"                    # the notebook's plain gradient descent (regcore.optimizer.GradientDescent)
RECORD_EVERY = 100
PRINT_EVERY = 10000                 # the notebook prints "Cost after iteration i" this often (CLI text, course.model)
