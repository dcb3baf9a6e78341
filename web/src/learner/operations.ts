// The learner app's own GraphQL operations (web/learner/), typed by GraphQL Code Generator like ../lib/operations.ts.
// Every mutation that changes what a learner is recommended selects `user { recommendations(first: $first) }` with
// the shared RecommendationList fragment, so that Graphcache updates the home list from the payload, no refetch.
import { graphql } from "../gql";

export const LearnerQuery = graphql(`
  query Learner {
    me {
      id
      displayName
      personalizationEnabled
      goals
      interests
      weeklyMinutesTarget
      onboarding { completedAt selfAssessedLevel }
      enrollments { id status progress course { id title } }
    }
  }
`);

export const OnboardingOptionsQuery = graphql(`
  query OnboardingOptions {
    taxonomy { skills topics }
    privacyNotice { policyVersion purposes { purpose why grantedByDefault canWithdraw feeds retention onWithdrawal } }
    consents { id purpose granted since source }
  }
`);

export const CreateLearnerMutation = graphql(`
  mutation CreateLearner($input: UserInput!) {
    upsertUser(input: $input) { user { id displayName personalizationEnabled } errors { code message field } }
  }
`);

export const SubmitOnboardingMutation = graphql(`
  mutation SubmitOnboarding($input: OnboardingInput!, $first: Int!) {
    submitOnboarding(input: $input) {
      user {
        id goals interests weeklyMinutesTarget
        onboarding { completedAt selfAssessedLevel }
        recommendations(first: $first) { ...RecommendationList }
      }
      errors { code message field index }
    }
  }
`);

export const MarkNotInterestedMutation = graphql(`
  mutation MarkNotInterested($courseId: ID!, $first: Int!) {
    markNotInterested(courseId: $courseId) {
      user { id recommendations(first: $first) { ...RecommendationList } }
      errors { code message field }
    }
  }
`);

export const DifficultyFeedbackMutation = graphql(`
  mutation DifficultyFeedback($courseId: ID!, $kind: DifficultyFeedback!, $first: Int!) {
    courseDifficultyFeedback(courseId: $courseId, kind: $kind) {
      user { id recommendations(first: $first) { ...RecommendationList } }
      skills { id skillId skillName probability mastered }
      errors { code message field }
    }
  }
`);

export const CoursePageQuery = graphql(`
  query CoursePage($id: ID!) {
    course(id: $id) {
      id title summary description skills topics level language durationMinutes format provider instructors
      rating ratingCount enrollmentCount
    }
    similarCourses(courseId: $id, first: 5) {
      id reasons { code text } course { id title level durationMinutes rating }
    }
    me { id enrollments { id status progress course { id } } }
  }
`);

export const SkillsQuery = graphql(`
  query PracticeSkills {
    skills(first: 100) { edges { node { id name description } } }
  }
`);

export const NextExerciseQuery = graphql(`
  query NextExercise($skill: ID!) {
    nextExercises(skill: $skill, first: 1) {
      exercise { id prompt format choices skills }
      reason reasonText skill predictedCorrect recallProbability
    }
    mastery(skills: [$skill]) { id skills { id skillId skillName probability confidence attempts correct mastered } }
  }
`);

export const RecordAnswerMutation = graphql(`
  mutation RecordAnswer($events: [EventInput!]!) {
    trackEvents(events: $events) { accepted rejected results { index status code message } errors { code message } }
  }
`);

export const ReviewQueueQuery = graphql(`
  query ReviewQueue {
    reviewQueue(first: 20) { id exerciseId skills due recallProbability lastReview reviews exercise { id prompt } }
  }
`);

export const LearningPathQuery = graphql(`
  query LearningPath($goal: String!) {
    learningPath(goal: $goal) {
      id weeklyMinutes totalMinutes totalWeeks
      matches { skillName score phrase }
      goalSkills { id name }
      skipped { skill { id name } probability }
      steps {
        id kind reasonText estimatedMinutes cumulativeWeeks exerciseCount
        course { id title }
        skill { id name }
      }
    }
  }
`);

export const PrivacyCentreQuery = graphql(`
  query PrivacyCentre {
    privacyNotice { policyVersion eventRetentionDays purposes { purpose why grantedByDefault canWithdraw feeds retention onWithdrawal } }
    consents { id purpose granted since source }
    me { id personalizationEnabled }
  }
`);

export const SetPersonalizationMutation = graphql(`
  mutation SetPersonalization($enabled: Boolean!, $first: Int!) {
    setPersonalization(enabled: $enabled) {
      user { id personalizationEnabled recommendations(first: $first) { ...RecommendationList } }
      errors { code message field }
    }
  }
`);

export const MyDataQuery = graphql(`
  query MyData {
    myData { userId exportedAt sections { collection count documents } }
  }
`);

export const DeleteMyDataMutation = graphql(`
  mutation DeleteMyData {
    deleteMyData { total deleted { collection count } errors { code message } }
  }
`);
