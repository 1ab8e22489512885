import { describe, expect, it } from 'vitest';
import { ApiProblem, describeError, problemFrom } from '../src/api/problem';

describe('problem+json to messages', () => {
  const validation = {
    type: '/problems/validation', title: 'Unprocessable Content', status: 422,
    detail: 'the request has invalid fields',
    errors: [{ field: 'password', message: 'must be 10 to 128 characters long' }, { field: 'mapping.date_column', message: 'is required' }],
  };

  it('keeps the detail and the field errors', () => {
    const problem = problemFrom(422, validation);
    expect(problem.detail).toBe('the request has invalid fields');
    expect(problem.type).toBe('/problems/validation');
    expect(problem.messagesFor('password')).toEqual(['must be 10 to 128 characters long']);
    expect(problem.messagesFor('date_column')).toEqual(['is required']);
    expect(problem.messages()).toEqual([
      'the request has invalid fields',
      'password: must be 10 to 128 characters long',
      'mapping.date_column: is required',
    ]);
  });

  it('falls back to a sentence for the status when the body says nothing', () => {
    expect(problemFrom(429, undefined).detail).toMatch(/Too many attempts/);
    expect(problemFrom(500, {}).detail).toBe('Request failed (500).');
    expect(problemFrom(502, 'Bad gateway').detail).toBe('Bad gateway');
  });

  it('tolerates malformed error lists', () => {
    expect(problemFrom(422, { detail: 'x', errors: [null, 3, { field: 'a' }] }).fieldErrors).toEqual([{ field: 'a', message: '' }]);
  });

  it('describes network failures and other errors', () => {
    expect(describeError(new TypeError('Failed to fetch')).detail).toMatch(/Cannot reach/);
    expect(describeError(new Error('boom')).detail).toBe('boom');
    const problem = new ApiProblem(404, 'there is nothing at /x');
    expect(describeError(problem)).toBe(problem);
  });
});
