// The learner app's GraphQL operations, typed by GraphQL Code Generator (`npm run codegen` writes src/gql/).
// Mutations that change what a learner is recommended select `user { recommendations(first: $first) }` with the
// same fragment and the same arguments as RecommendationsQuery, so that Graphcache updates the cached list from
// the payload (the schema's descriptions ask for this); pass the same `first` to both.
import { graphql } from "../gql";

export const RecommendationListFragment = graphql(`
  fragment RecommendationList on Recommendations {
    id
    requestId
    strategy
    fallback
    notPersonalizedReason
    explanation
    experiment
    variant
    items {
      id
      score
      variant
      reasons { code text }
      course { id title summary level durationMinutes format rating skills }
    }
  }
`);

export const RecommendationsQuery = graphql(`
  query Recommendations($first: Int!) {
    recommendations(first: $first) { ...RecommendationList }
  }
`);

export const CoursesQuery = graphql(`
  query Courses($search: String, $level: CourseLevel, $skills: [String!], $first: Int!, $after: String) {
    courses(search: $search, level: $level, skills: $skills, first: $first, after: $after) {
      totalCount
      edges { cursor node { id title summary level durationMinutes format rating skills } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const EnrollMutation = graphql(`
  mutation Enroll($courseId: ID!, $first: Int!) {
    enroll(courseId: $courseId) {
      enrollment { id status progress course { id } }
      user { id enrollments { id status progress course { id } } recommendations(first: $first) { ...RecommendationList } }
      errors { code message field }
    }
  }
`);

export const ConsentsQuery = graphql(`
  query Consents {
    consents { id purpose granted since source }
  }
`);

export const SetConsentMutation = graphql(`
  mutation SetConsent($purpose: ConsentPurpose!, $granted: Boolean!, $first: Int!) {
    setConsent(purpose: $purpose, granted: $granted) {
      consents { id purpose granted since source }
      user { id personalizationEnabled recommendations(first: $first) { ...RecommendationList } }
      errors { code message field }
    }
  }
`);
