"""Learning analytics in GraphQL: course funnels, skill struggles and recommender popularity."""
