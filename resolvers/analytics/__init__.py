"""Learning analytics: course funnels, where learners struggle per skill, and what each recommender serves most;
aggregates only, over consenting learners, with small groups suppressed."""
