// The employee dashboard's walk, shared by dashboard.test.mjs and
// demo.test.mjs: in the dashboard's frame, an employee with no dependents
// adds a spouse, compares the medical plans, elects plan for employee +
// spouse, waives vision, and sees both on the overview.
import assert from 'node:assert/strict';

/**
 * Walks the dashboard in frame (a FrameLocator) as the employee called name;
 * spouse is [first, last]; screenshot, if given, runs while the medical
 * plans are compared side by side.
 */
export async function enrollAsEmployee(frame, { name, spouse, plan, screenshot }) {
  // Dependents: the empty state, then a spouse.
  await frame.getByRole('tab', { name: 'Dependents' }).click();
  await frame.getByText('No dependents yet').waitFor();
  await frame.getByRole('button', { name: 'Add dependent' }).click();
  await frame.getByLabel('First name').fill(spouse[0]);
  await frame.getByLabel('Last name').fill(spouse[1]);
  await frame.getByLabel('Relationship').selectOption('spouse');
  await frame.getByLabel('Date of birth').fill('1990-05-04');
  await frame.locator('form').getByRole('button', { name: 'Add dependent' }).click();
  await frame.locator('.ed-notice', { hasText: `${spouse.join(' ')} was added.` }).waitFor();

  // Enroll in medical: compare the two plans side by side.
  await frame.getByRole('tab', { name: 'Enroll' }).click();
  await frame.locator('.ed-kind[data-kind=medical]').click();
  await frame.locator('.ed-plan').nth(1).waitFor();
  assert.equal(await frame.locator('.ed-plan').count(), 2);
  const boxes = await frame.locator('.ed-plan').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
  assert.equal(boxes[0], boxes[1], 'the plans are side by side');
  await screenshot?.();
  await frame.getByLabel(`Choose ${plan}`).check();
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByRole('checkbox', { name: new RegExp(spouse.join(' ')) }).check();
  assert.equal(await frame.getByRole('radio', { name: /Employee \+ spouse/ }).isChecked(), true, 'the tier follows who is covered');
  await frame.getByRole('button', { name: 'Review' }).click();
  assert.match(await frame.locator('.ed-review').innerText(), new RegExp(`${plan}[\\s\\S]*Employee \\+ spouse[\\s\\S]*${spouse.join(' ')}`));
  await frame.getByLabel('Your full name').fill('Someone Else');
  await frame.getByRole('button', { name: 'Submit election' }).click();
  await frame.getByText(/Type your full name as your employer has it/).waitFor();
  await frame.getByLabel('Your full name').fill(name);
  await frame.getByRole('button', { name: 'Submit election' }).click();
  await frame.locator('.ed-notice', { hasText: 'Your medical election was submitted.' }).waitFor();

  // Waive vision, with a reason.
  await frame.getByRole('button', { name: 'Choose vision coverage' }).click();
  await frame.getByLabel('Waive vision coverage').check();
  await frame.getByRole('button', { name: 'Continue' }).click();
  await frame.getByLabel(/Why are you waiving/).selectOption({ index: 2 });
  await frame.getByRole('button', { name: 'Review' }).click();
  await frame.getByLabel('Your full name').fill(name.toLowerCase());
  await frame.getByRole('button', { name: 'Submit waiver' }).click();
  await frame.locator('.ed-notice', { hasText: 'Vision coverage waived.' }).waitFor();

  // The overview shows both, and the total.
  const overview = await frame.locator('.ed-coverage').innerText();
  assert.match(overview, new RegExp(`${plan}[\\s\\S]*Employee \\+ spouse[\\s\\S]*${spouse.join(' ')}`));
  assert.match(overview, /Vision[\s\S]*Waived/);
  assert.match(await frame.locator('.ed-total').innerText(), /\$\d/);
}
