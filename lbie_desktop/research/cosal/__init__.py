"""CoSaL (Colorizing Shapes with Artificial Language), from the CVPR 2018 LBIE paper.

generator: seeded data; text: vocabulary and parsing; metric: the paper's shape IoU;
paper_model / improved_model: the networks; train / evaluate / figure: the workflow.
"""
