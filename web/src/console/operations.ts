// The partner console's GraphQL operations (web/console/), typed by GraphQL Code Generator like the learner app's
// (codegen reads every `graphql(...)` document under src/). Partner and admin tokens only: a learner's token gets
// FORBIDDEN from each of these but CoursesTotal.
import { graphql } from "../gql";

/** Asked first with the pasted token: partners and admins get a page, learners FORBIDDEN. */
export const RoleCheckQuery = graphql(`
  query ConsoleRoleCheck {
    experiments(first: 1) { totalCount }
  }
`);

export const CatalogQuery = graphql(`
  query ConsoleCatalog {
    courses(first: 1, includeUnpublished: true) { totalCount }
    published: courses(first: 1) { totalCount }
    taxonomy { skills topics }
    recommendationCache { enabled seconds size hits misses }
    catalogImports(first: 10) {
      id kind source startedAt finishedAt read created updated unchanged skipped warned problems
    }
  }
`);

export const RecommendersQuery = graphql(`
  query ConsoleRecommenders {
    recommenders {
      name version description source enabled trainedAt artifactVersion configHash status problem
    }
  }
`);

export const ExperimentFields = graphql(`
  fragment ConsoleExperiment on Experiment {
    id name hypothesis kind status primaryMetric guardrails createdAt startedAt stoppedAt
    variants { id name strategy share diversity first }
    population { newLearners segment { name value } }
  }
`);

export const ExperimentsQuery = graphql(`
  query ConsoleExperiments($first: Int!, $after: String) {
    experiments(first: $first, after: $after) {
      totalCount
      edges { node { ...ConsoleExperiment } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateExperimentMutation = graphql(`
  mutation ConsoleCreateExperiment($input: CreateExperimentInput!) {
    createExperiment(input: $input) {
      experiment { ...ConsoleExperiment }
      errors { code message field }
    }
  }
`);

export const StartExperimentMutation = graphql(`
  mutation ConsoleStartExperiment($id: ID!) {
    startExperiment(id: $id) { experiment { ...ConsoleExperiment } errors { code message field } }
  }
`);

export const PauseExperimentMutation = graphql(`
  mutation ConsolePauseExperiment($id: ID!) {
    pauseExperiment(id: $id) { experiment { ...ConsoleExperiment } errors { code message field } }
  }
`);

export const StopExperimentMutation = graphql(`
  mutation ConsoleStopExperiment($id: ID!) {
    stopExperiment(id: $id) { experiment { ...ConsoleExperiment } errors { code message field } }
  }
`);

export const ExperimentReportQuery = graphql(`
  query ConsoleExperimentReport($id: ID!) {
    experiment(id: $id) { ...ConsoleExperiment }
    experimentReport(id: $id) {
      id name kind status primaryMetric metrics startedAt stoppedAt generatedAt
      excludedLearners mixedLearners minGroup recommendedLearners
      sampleRatio { observed expectedShares pValue mismatch }
      variants {
        name strategy share control learners suppressed impressions clicks clickThroughRate dismissals
        metrics {
          metric learners numerator denominator rate
          comparison { controlRate treatmentRate difference differenceLow differenceHigh lift liftLow liftHigh pValue significant }
        }
        served { answers cached fallbacks fallbackRate latencyMeanMs latencyP95Ms }
      }
      daily {
        day variant learners controlLearners
        comparison { controlRate treatmentRate difference lift liftLow liftHigh pValue significant }
      }
      interleaving {
        control treatment credit creditControl creditTreatment
        preference { learners winsControl winsTreatment ties score scoreLow scoreHigh pValue significant }
        daily { day preference { learners score scoreLow scoreHigh pValue significant } }
      }
    }
  }
`);

export const FunnelsQuery = graphql(`
  query ConsoleFunnels($first: Int!) {
    courseFunnels(first: $first) {
      courseId title learners
      stages { stage suppressed learners shareOfPrevious shareOfFirst dropOff }
    }
  }
`);

export const StrugglesQuery = graphql(`
  query ConsoleStruggles($first: Int!) {
    skillStruggles(first: $first, items: 3) {
      skillId name suppressed learners meanMastery masteredShare answeringLearners answers failureRate meanHints
      items { itemId suppressed learners answers failureRate }
    }
  }
`);

export const AuditLogQuery = graphql(`
  query ConsoleAuditLog($first: Int!, $after: String, $userId: ID) {
    auditLog(first: $first, after: $after, userId: $userId) {
      totalCount
      edges { node { id at action operation actorId actorRoles userId erasedLearner requestId purpose counts { collection count } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const RecommenderPopularityQuery = graphql(`
  query ConsoleRecommenderPopularity($days: Int!) {
    recommenderPopularity(days: $days, first: 5) {
      strategy answers servings coursesServed coverage gini popularityLift
      topCourses { courseId title servings share }
    }
  }
`);


export const ServingMetricsQuery = graphql(`
  query ConsoleServingMetrics($days: Int!) {
    servingMetrics(days: $days) {
      day strategy answers cached fallbacks fallbackRate latencyMeanMs latencyP95Ms
    }
  }
`);

export const ConsentStatisticsQuery = graphql(`
  query ConsoleConsentStatistics {
    consentStatistics {
      learners
      purposes { purpose granted refused undecided grantedByDefault suppressed }
    }
  }
`);
