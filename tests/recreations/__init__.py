"""Independent recreations of published models, for validating orgsim against them.

They share no code with orgsim: each is written from the paper (and the public
recreations it cites), vectorised over runs, and exists only so that tests can
compare the generic model with it within Monte-Carlo error.
"""
