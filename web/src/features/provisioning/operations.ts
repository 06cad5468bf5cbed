import { gql } from '../../graphql/document';
import type { DateTime, PageInfo, PlanSummary } from '../../graphql/types';
import { RADIUS_PROFILE_FIELDS, type RadiusProfileData } from '../customers/operations';

export interface CustomerRow {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  readonly address: string | null;
  readonly createdAt: DateTime;
  readonly services: { readonly id: string; readonly status: string }[];
  readonly sessions: { readonly id: string }[];
}

export const CustomersQuery = gql<
  { customers: { totalCount: number; pageInfo: PageInfo; nodes: CustomerRow[] } },
  { first: number; after: string | null; search: string | null }
>(`
query Customers($first: Int, $after: String, $search: String) {
  customers(first: $first, after: $after, search: $search) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name email phone address createdAt services { id status } sessions { id } }
  }
}`);

export const CustomerOptionsQuery = gql<
  { customers: { nodes: { id: string; name: string; email: string }[] } },
  { search: string | null }
>(`
query CustomerOptions($search: String) {
  customers(first: 20, search: $search) { nodes { id name email } }
}`);

export interface CustomerInput {
  name: string;
  email: string;
  phone: string | null;
  address: string | null;
}

const CUSTOMER_FIELDS = 'id name email phone address createdAt updatedAt';

export const CreateCustomerMutation = gql<{ createCustomer: { id: string; name: string; email: string } }, { input: CustomerInput }>(`
mutation CreateCustomer($input: CreateCustomerInput!) {
  createCustomer(input: $input) { ${CUSTOMER_FIELDS} }
}`);

export const UpdateCustomerMutation = gql<{ updateCustomer: { id: string } }, { id: string; input: Partial<CustomerInput> }>(`
mutation UpdateCustomer($id: ID!, $input: UpdateCustomerInput!) {
  updateCustomer(id: $id, input: $input) { ${CUSTOMER_FIELDS} }
}`);

export const DeleteCustomerMutation = gql<{ deleteCustomer: string }, { id: string }>(`
mutation DeleteCustomer($id: ID!) {
  deleteCustomer(id: $id)
}`);

export interface PlanRow extends PlanSummary {
  readonly createdAt: DateTime;
  readonly serviceCount: number;
}

export const PlansQuery = gql<{ plans: PlanRow[] }>(`
query Plans {
  plans { id name downloadKbps uploadKbps burstKbps createdAt serviceCount }
}`);

export interface PlanInput {
  name: string;
  downloadKbps: number;
  uploadKbps: number;
  burstKbps: number | null;
}

export interface SessionFailure {
  readonly sessionId: string;
  readonly message: string;
}

export const CreatePlanMutation = gql<{ createPlan: PlanRow }, { input: PlanInput }>(`
mutation CreatePlan($input: CreatePlanInput!) {
  createPlan(input: $input) { id name downloadKbps uploadKbps burstKbps createdAt serviceCount }
}`);

export const UpdatePlanMutation = gql<
  { updatePlan: { plan: PlanRow; radiusUsersUpdated: number; sessionsUpdated: number; sessionFailures: SessionFailure[] } },
  { id: string; input: Partial<PlanInput> }
>(`
mutation UpdatePlan($id: ID!, $input: UpdatePlanInput!) {
  updatePlan(id: $id, input: $input) {
    plan { id name downloadKbps uploadKbps burstKbps createdAt serviceCount }
    radiusUsersUpdated sessionsUpdated
    sessionFailures { sessionId message }
  }
}`);

export const DeletePlanMutation = gql<{ deletePlan: string }, { id: string }>(`
mutation DeletePlan($id: ID!) {
  deletePlan(id: $id)
}`);

export interface ServiceRow {
  readonly id: string;
  readonly username: string | null;
  readonly circuitId: string | null;
  readonly remoteId: string | null;
  readonly status: string;
  readonly createdAt: DateTime;
  readonly updatedAt: DateTime;
  readonly customer: {
    readonly id: string;
    readonly name: string;
    readonly radiusProfile: RadiusProfileData;
  };
  readonly plan: PlanSummary;
  readonly session: {
    readonly id: string;
    readonly ip: string;
    readonly bngId: string;
    readonly state: string;
    readonly downloadKbps: number;
    readonly uploadKbps: number;
    readonly started: DateTime;
  } | null;
}

export const ServicesQuery = gql<
  { services: { totalCount: number; pageInfo: PageInfo; nodes: ServiceRow[] } },
  { first: number; after: string | null; customerId: string | null; planId: string | null }
>(`
query Services($first: Int, $after: String, $customerId: ID, $planId: ID) {
  services(first: $first, after: $after, customerId: $customerId, planId: $planId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id username circuitId remoteId status createdAt updatedAt
      customer { id name radiusProfile {${RADIUS_PROFILE_FIELDS}} }
      plan { id name downloadKbps uploadKbps burstKbps }
      session { id ip bngId state downloadKbps uploadKbps started }
    }
  }
}`);

export interface ServiceInput {
  customerId: string;
  planId: string;
  bngId: string | null;
  remoteId: string | null;
  circuitId: string | null;
  username: string | null;
  status: string;
}

export const CreateServiceMutation = gql<{ createService: { id: string; username: string | null } }, { input: ServiceInput }>(`
mutation CreateService($input: CreateServiceInput!) {
  createService(input: $input) { id username status }
}`);

export const UpdateServiceMutation = gql<
  { updateService: { id: string; status: string; plan: { id: string; name: string } } },
  { id: string; input: Partial<Omit<ServiceInput, 'customerId'>> }
>(`
mutation UpdateService($id: ID!, $input: UpdateServiceInput!) {
  updateService(id: $id, input: $input) { id status plan { id name } }
}`);

export const DeleteServiceMutation = gql<{ deleteService: string }, { id: string }>(`
mutation DeleteService($id: ID!) {
  deleteService(id: $id)
}`);

export const SyncRadiusMutation = gql<{ syncRadius: { written: number; removed: number } }, { customerId: string | null }>(`
mutation SyncRadius($customerId: ID) {
  syncRadius(customerId: $customerId) { written removed }
}`);

export const RadiusProfileQuery = gql<{ radiusProfile: RadiusProfileData }, { customerId: string }>(`
query RadiusProfile($customerId: ID!) {
  radiusProfile(customerId: $customerId) {${RADIUS_PROFILE_FIELDS}}
}`);
