/** Who the local AWS answers as: moto's fixed account, and the region the harness's clients and env use. */
export const TEST_ACCOUNT = "123456789012";
export const TEST_REGION = "us-east-1";
